using System.Text;

namespace NativePlugins.Conformance.Harness;

/// <summary>
/// The valid input the checks feed to a transform when the user gives none (<c>--input</c>): short UTF-8 lines that
/// are also JSON objects, with repeats, mixed case, non-ASCII text and a few plain lines, so that upper-casing,
/// filtering, counting, de-duplicating and JSON-field plugins all have something to do.
/// </summary>
public static class SampleRecords
{
    public static IReadOnlyList<string> Default { get; } =
    [
        """{"id":1,"level":"info","user":"alice","msg":"hello world"}""",
        """{"id":2,"level":"error","user":"bob","msg":"disk full"}""",
        """{"id":3,"level":"info","user":"alice","msg":"hello world"}""",
        """{"id":4,"level":"warn","user":"carol","msg":"Grüße aus Köln"}""",
        "plain text line",
        """{"id":5,"level":"info","user":"dave","msg":"über 9000 ÄÖÜ ß"}""",
        """{"id":6,"level":"debug","user":"bob","msg":"retry 1 of 3"}""",
        "error: something failed",
        """{"id":7,"level":"info","user":"alice","msg":"hello world"}""",
        """{"id":8,"level":"error","user":"erin","msg":"timeout after 30s"}""",
        """{"id":9,"level":"info","user":"frank","msg":"日本語のテキスト"}""",
        "plain text line",
        """{"id":10,"level":"info","user":"grace","msg":"emoji 🚀 ok"}""",
        """{"id":11,"level":"warn","user":"bob","msg":"disk 91% full"}""",
        """{"id":12,"level":"info","user":"alice","msg":"bye"}""",
        "the quick brown fox jumps over the lazy dog",
        """{"id":13,"level":"error","user":"carol","msg":"disk full"}""",
        """{"id":14,"level":"info","user":"heidi","msg":"tab\there"}""",
        """{"id":15,"level":"info","user":"ivan","msg":"quote \" inside"}""",
        "UPPER lower MiXeD",
        """{"id":16,"level":"info","user":"judy","msg":"last but one"}""",
        """{"id":17,"level":"debug","user":"bob","msg":"retry 2 of 3"}""",
        """{"id":18,"level":"info","user":"alice","msg":"hello world"}""",
        """{"id":19,"level":"info","user":"mallory","msg":"the end"}""",
    ];

    /// <summary>The records split into <paramref name="batchCount"/> batches of about equal size (records kept in order).</summary>
    public static IReadOnlyList<IReadOnlyList<byte[]>> Batches(IReadOnlyList<string> records, int batchCount = 3)
    {
        var bytes = records.Select(r => Encoding.UTF8.GetBytes(r)).ToList();
        var size = Math.Max(1, (bytes.Count + batchCount - 1) / batchCount);
        return bytes.Chunk(size).Select(c => (IReadOnlyList<byte[]>)c.ToList()).ToList();
    }
}
