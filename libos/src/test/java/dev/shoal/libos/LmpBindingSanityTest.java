package dev.shoal.libos;

/** Two dispatchers of one core, bound through the name service: LMP. */
final class LmpBindingSanityTest extends BindingSanityTest
{
    LmpBindingSanityTest()
    {
        super(3, 3, "lmp");
    }
}
