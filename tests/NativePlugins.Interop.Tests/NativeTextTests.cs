using System.Runtime.InteropServices;
using System.Text;
using NativePlugins.Interop;
using Xunit;

namespace NativePlugins.Interop.Tests;

/// <summary>The one reader of borrowed np_str_t values (host, conformance harness and C# SDK): what it reads, what it
/// refuses without reading, and how it shows untrusted bytes.</summary>
public sealed unsafe class NativeTextTests
{
    /// <summary>A pointer that must never be dereferenced: reading it would crash the test run.</summary>
    private static readonly byte* Poison = (byte*)0x10;

    [Fact]
    public void An_empty_string_is_read_without_touching_its_pointer()
    {
        foreach (var ptr in new[] { null, Poison })
        {
            var s = new np_str_t { ptr = ptr, len = 0 };
            Assert.Equal(NativeTextProblem.None, NativeText.TryGetBytes(s, 10, out var bytes));
            Assert.True(bytes.IsEmpty);
            Assert.Empty(NativeText.TryCopyBytes(s, 10, out var problem)!);
            Assert.Null(problem);
            Assert.Equal("", NativeText.TryDecode(s, out problem));
            Assert.Null(problem);
            Assert.Equal("", NativeText.DecodeLenient(s, 10));
        }
    }

    [Fact]
    public void A_length_with_a_null_pointer_is_refused()
    {
        var s = new np_str_t { ptr = null, len = 5 };
        Assert.Equal(NativeTextProblem.NullPointer, NativeText.TryGetBytes(s, 10, out var bytes));
        Assert.True(bytes.IsEmpty);
        Assert.Null(NativeText.TryCopyBytes(s, 10, out var problem));
        Assert.Equal("has length 5 but a NULL pointer", problem);
        Assert.Null(NativeText.TryDecode(s, out problem));
        Assert.Equal("the string has length 5 but a NULL pointer", problem);
        Assert.Equal("", NativeText.DecodeLenient(s, 10)); // lenient: a log line, not a refusal
    }

    [Fact]
    public void A_length_over_the_limit_is_refused_without_reading()
    {
        var s = new np_str_t { ptr = Poison, len = NativeText.MaxDescriptorStringBytes + 1 };
        Assert.Equal(NativeTextProblem.TooLong, NativeText.TryGetBytes(s, NativeText.MaxDescriptorStringBytes, out _));
        Assert.Null(NativeText.TryCopyBytes(s, NativeText.MaxDescriptorStringBytes, out var problem));
        Assert.Equal("is 65537 bytes long (at most 65536)", problem);

        // No limit given: the span limit still holds, so a garbage 64-bit length is never cast into a negative length.
        var huge = new np_str_t { ptr = Poison, len = 1UL << 40 };
        Assert.Null(NativeText.TryDecode(huge, out problem));
        Assert.Equal($"the string is {1UL << 40} bytes long (at most {int.MaxValue})", problem);
        Assert.Equal(NativeTextProblem.TooLong, NativeText.TryGetBytes(huge, ulong.MaxValue, out _));
    }

    [Fact]
    public void A_string_at_the_limit_is_read()
    {
        var text = Encoding.UTF8.GetBytes("héllo");
        fixed (byte* p = text)
        {
            var s = new np_str_t { ptr = p, len = (ulong)text.Length };
            Assert.Equal(NativeTextProblem.None, NativeText.TryGetBytes(s, (ulong)text.Length, out var bytes));
            Assert.True(bytes.SequenceEqual(text));
            Assert.Equal(NativeTextProblem.TooLong, NativeText.TryGetBytes(s, (ulong)text.Length - 1, out _));
            Assert.Equal(text, NativeText.TryCopyBytes(s, 64, out _));
            Assert.Equal("héllo", NativeText.TryDecode(s, out var problem));
            Assert.Null(problem);
        }
    }

    [Fact]
    public void Strict_decoding_refuses_invalid_utf8_and_lenient_decoding_replaces_it()
    {
        byte[] bad = [(byte)'a', 0xFF, 0xC3]; // a stray byte, then a sequence cut short
        fixed (byte* p = bad)
        {
            var s = new np_str_t { ptr = p, len = 3 };
            Assert.Null(NativeText.TryDecode(s, out var problem));
            Assert.Equal("the string is not valid UTF-8", problem);
            Assert.Equal("a\uFFFD\uFFFD", NativeText.DecodeLenient(s, 64));
            Assert.Equal("a", NativeText.DecodeLenient(s, 1)); // cut at the limit
            Assert.False(NativeText.IsUtf8(bad));
        }
        Assert.True(NativeText.IsUtf8((byte[]?)null)); // an absent copy is an empty string
    }

    [Fact]
    public void Escape_is_ascii_only_and_unambiguous()
    {
        Assert.Equal("org.example", NativeText.Escape("org.example"u8));
        Assert.Equal(@"bad\xffutf8", NativeText.Escape([.. "bad"u8, 0xFF, .. "utf8"u8]));
        Assert.Equal(@"\xc3\xa9t\xc3\xa9", NativeText.Escape("été"u8)); // non-ASCII shown as bytes: no look-alikes
        Assert.Equal(@"a\x5cxff", NativeText.Escape(@"a\xff"u8)); // a literal backslash cannot pass for an escape
        Assert.Equal(@"\x00\x09\x7f", NativeText.Escape([0x00, 0x09, 0x7F]));
    }

    [Fact]
    public void Show_keeps_valid_utf8_readable_and_escapes_the_rest()
    {
        Assert.Equal("été", NativeText.Show("été"u8));
        Assert.Equal(@"tab\x09end\x0a", NativeText.Show("tab\tend\n"u8));
        Assert.Equal(@"c1\u0085", NativeText.Show("c1\u0085"u8));
        Assert.Equal(@"a\x5cb", NativeText.Show(@"a\b"u8));
        Assert.Equal(@"bad\xff", NativeText.Show([.. "bad"u8, 0xFF])); // not UTF-8: the bytes, as Escape shows them
        Assert.Equal("'x'", NativeText.Quote("x"u8));
        Assert.Equal("''", NativeText.Quote((byte[]?)null));
    }

    [Fact]
    public void Show_cuts_long_text_at_the_limit()
    {
        Assert.Equal("abc…", NativeText.Show("abcdef"u8, 3));
        Assert.Equal("abc", NativeText.Show("abc"u8, 3));
        Assert.Equal(@"\xff\xff…", NativeText.Show([0xFF, 0xFF, 0xFF], 8));
        Assert.Equal(new string('x', 80) + "…", NativeText.Show(Encoding.ASCII.GetBytes(new string('x', 100))));
    }

    [Fact]
    public void A_static_string_is_utf8_with_a_nul_after_its_length()
    {
        foreach (var s in new[] { NativeText.AllocateStatic("été"), NativeText.AllocateStatic("été"u8) })
        {
            Assert.Equal(5UL, s.len);
            Assert.Equal("été", Encoding.UTF8.GetString(s.ptr, (int)s.len));
            Assert.Equal(0, s.ptr[s.len]);
        }
        var empty = NativeText.AllocateStatic("");
        Assert.Equal(0UL, empty.len);
        Assert.True(empty.ptr != null); // a real pointer even when empty: C readers may print it
        Assert.Equal(0, empty.ptr[0]);
        NativeMemory.Free(empty.ptr);
    }
}
