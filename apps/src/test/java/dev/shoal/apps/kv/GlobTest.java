package dev.shoal.apps.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GlobTest
{
    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "*|anything|true",
        "*|''|true",
        "''|''|true",
        "''|a|false",
        "user:*|user:42|true",
        "user:*|users|false",
        "h?llo|hello|true",
        "h?llo|hllo|false",
        "h*llo|hllo|true",
        "h*llo|heeeello|true",
        "h*llo|hello!|false",
        "*:*:*|a:b:c|true",
        "*:*:*|a:b|false",
        "a*b*c|aXbYbZc|true",
        "a*b*c|aXbYbZ|false",
        "h[ae]llo|hallo|true",
        "h[ae]llo|hillo|false",
        "h[^e]llo|hallo|true",
        "h[^e]llo|hello|false",
        "h[a-b]llo|hbllo|true",
        "h[b-a]llo|hallo|true",
        "h[a-b]llo|hcllo|false",
        "h\\*llo|h*llo|true",
        "h\\*llo|hello|false",
        "[\\]]|]|true",
        "key:[0-9]*|key:7abc|true",
        "key:[0-9]*|key:x7|false",
        "[abc|c|true",
    })
    void shouldMatchAsRedisDoes(final String pattern, final String name, final boolean expected)
    {
        assertEquals(expected, Glob.matches(bytes(pattern), bytes(name)));
    }

    @org.junit.jupiter.api.Test
    void shouldNotBacktrackExponentiallyOnManyStars()
    {
        final byte[] pattern = bytes("*a".repeat(30) + "b");
        final byte[] name = bytes("a".repeat(5000));
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertEquals(false, Glob.matches(pattern, name)));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
