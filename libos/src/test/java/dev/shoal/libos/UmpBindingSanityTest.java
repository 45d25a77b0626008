package dev.shoal.libos;

/** Dispatchers on two cores of different packages, bound through the name service: UMP. */
final class UmpBindingSanityTest extends BindingSanityTest
{
    @Override
    int[] cores()
    {
        return new int[] {1, 6};
    }

    @Override
    Channel open(final Os os, final boolean first, final String name)
    {
        return first ? os.export(name).accept() : os.bindWhenExported(name);
    }

    @Override
    String transport()
    {
        return "ump";
    }
}
