using System.Text;

namespace Ates.ServiceDefaults.Validation;

/// <summary>
/// What people type into a name, an email or a title: printable text. A control character has no business there
/// (U+0000 is refused by PostgreSQL outright), nor has half of a surrogate pair (it cannot be written as UTF-8).
/// </summary>
public static class PlainText
{
    /// <summary>Why <paramref name="text"/> is not plain text, or null when it is; line breaks and tabs allowed when <paramref name="multiline"/>.</summary>
    public static string? Problem(string text, bool multiline = false)
    {
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var length) != System.Buffers.OperationStatus.Done)
                return "contains a broken character (half of a surrogate pair)";
            if (Rune.IsControl(rune) && !(multiline && rune.Value is '\n' or '\r' or '\t'))
                return $"contains the control character U+{rune.Value:X4}";
            rest = rest[length..];
        }
        return null;
    }
}
