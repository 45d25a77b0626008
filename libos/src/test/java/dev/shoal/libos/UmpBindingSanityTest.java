package dev.shoal.libos;

/** Dispatchers on two cores of different packages, bound through the name service: UMP. */
final class UmpBindingSanityTest extends BindingSanityTest
{
    UmpBindingSanityTest()
    {
        super(1, 6, "ump");
    }
}
