package dev.shoal.libos;

/** The two dispatchers of a domain spanning two cores: {@link Os#sibling}. */
final class SiblingBindingSanityTest extends BindingSanityTest
{
    SiblingBindingSanityTest()
    {
        super(2, 5, "ump");
    }

    @Override
    Channel open(final Os os, final boolean first, final String name)
    {
        return os.sibling(first ? cores()[1] : cores()[0]);
    }
}
