using System.Globalization;
using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;
using NJsonSchema.Validation;
using NJsonSchema.Validation.FormatValidators;

namespace Ates.Contracts.Validation;

/// <summary>
/// NJsonSchema's own "uuid" accepts anything Guid.TryParse does (braces, no dashes) and its
/// "date-time" accepts "2026" or "2026-03". These follow RFC 4122 and RFC 3339 instead, which is
/// also what System.Text.Json reads into Guid, DateTimeOffset and DateOnly.
/// </summary>
static partial class StrictFormats
{
    public static JsonSchemaValidatorSettings Settings() => new()
    {
        FormatValidators =
        [
            new FormatRule("uuid", ValidationErrorKind.UuidExpected, value => Uuid().IsMatch(value)),
            new FormatRule("guid", ValidationErrorKind.GuidExpected, value => Uuid().IsMatch(value)),
            new FormatRule("date-time", ValidationErrorKind.DateTimeExpected, value =>
                RfcDateTime().IsMatch(value)
                && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _)),
            new FormatRule("date", ValidationErrorKind.DateExpected, value =>
                DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)),
            new EmailFormatValidator(),
            new HostnameFormatValidator(),
            new IpV4FormatValidator(),
            new IpV6FormatValidator(),
            new TimeFormatValidator(),
            new UriFormatValidator(),
            new Base64FormatValidator(),
        ],
    };

    [GeneratedRegex(@"\A[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z")]
    private static partial Regex Uuid();

    [GeneratedRegex(@"\A[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})\z")]
    private static partial Regex RfcDateTime();

    sealed class FormatRule(string format, ValidationErrorKind kind, Func<string, bool> isValid) : IFormatValidator
    {
        public string Format { get; } = format;

        public ValidationErrorKind ValidationErrorKind { get; } = kind;

        public bool IsValid(string value, JTokenType tokenType) => isValid(value);
    }
}
