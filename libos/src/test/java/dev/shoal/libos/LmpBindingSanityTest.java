package dev.shoal.libos;

/** Two dispatchers of one core, bound through the name service: LMP. */
final class LmpBindingSanityTest extends BindingSanityTest
{
    @Override
    int[] cores()
    {
        return new int[] {3, 3};
    }

    @Override
    Channel open(final Os os, final boolean first, final String name)
    {
        return first ? os.export(name).accept() : os.bindWhenExported(name);
    }

    @Override
    String transport()
    {
        return "lmp";
    }
}
