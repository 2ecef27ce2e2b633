using System.Globalization;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Ates.Contracts.Validation;

/// <summary>
/// Turns NJsonSchema's errors ("PatternMismatch: #/title") into sentences a person can act on:
/// "title: must not contain '[' or ']' — put the jira id in jira_id".
/// A schema can give its own text for a failed keyword with an <c>errorMessage</c> object
/// (the ajv-errors convention), e.g. <c>"errorMessage": { "pattern": "must not contain …" }</c>.
/// </summary>
static class SchemaErrors
{
    public static IReadOnlyList<string> Describe(ICollection<ValidationError> errors, string root)
    {
        // A rule across fields (anyOf) is reported only when every field is fine on its own:
        // "reason: must be one of …" says it all; "matches no combination" would be noise.
        var combinationsOnly = errors.All(IsCombination);
        var sentences = new List<string>();
        foreach (var error in errors.Where(e => combinationsOnly || !IsCombination(e)))
        {
            Add(error, root, sentences);
        }

        return sentences.Distinct().ToList();
    }

    static bool IsCombination(ValidationError error) =>
        error.Kind is ValidationErrorKind.NotAnyOf or ValidationErrorKind.NotOneOf;

    static void Add(ValidationError error, string root, List<string> into)
    {
        switch (error)
        {
            // A value of type ["string", "null"]: report what is wrong for the type the value has.
            case MultiTypeValidationError multi:
                var ownType = multi.Errors.FirstOrDefault(t => HasType(error.Token, t.Key)).Value;
                if (ownType is { Count: > 0 })
                {
                    foreach (var inner in ownType)
                    {
                        Add(inner, root, into);
                    }
                }
                else
                {
                    into.Add(Sentence(error, root, $"must be {TypeNames(multi.Errors.Keys)}, got {Got(error.Token)}"));
                }

                return;

            // Array items, nested objects: report the inner errors, which carry their full path.
            case ChildSchemaValidationError child when error.Kind is not (ValidationErrorKind.NotAnyOf or ValidationErrorKind.NotOneOf):
                foreach (var inner in child.Errors.Values.SelectMany(e => e))
                {
                    Add(inner, root, into);
                }

                return;
        }

        // NJsonSchema also reports every required field of a value that is not an object at all.
        if (error.Kind == ValidationErrorKind.PropertyRequired && error.Token is not JObject)
        {
            return;
        }

        into.Add(Sentence(error, root, CustomMessage(error) ?? Message(error)));
    }

    static string Sentence(ValidationError error, string root, string message)
    {
        var path = (error.Path ?? "").TrimStart('#').TrimStart('/');
        return $"{(path.Length == 0 ? root : path)}: {message}";
    }

    static string Message(ValidationError error)
    {
        var schema = error.Schema;
        var got = Got(error.Token);
        return error.Kind switch
        {
            ValidationErrorKind.PropertyRequired => "is required but missing",
            ValidationErrorKind.NoAdditionalPropertiesAllowed =>
                string.IsNullOrEmpty(schema.Title) ? "is not an allowed field" : $"is not a field of {schema.Title}",
            ValidationErrorKind.StringExpected => $"must be a string, got {got}",
            ValidationErrorKind.NumberExpected => $"must be a number, got {got}",
            ValidationErrorKind.IntegerExpected => $"must be a whole number, got {got}",
            ValidationErrorKind.BooleanExpected => $"must be true or false, got {got}",
            ValidationErrorKind.ObjectExpected => $"must be a JSON object, got {got}",
            ValidationErrorKind.ArrayExpected => $"must be an array, got {got}",
            ValidationErrorKind.NullExpected => $"must be null, got {got}",
            ValidationErrorKind.NotInEnumeration =>
                $"must be one of {string.Join(", ", schema.Enumeration.Select(v => v?.ToString() ?? "null"))}, got {got}",
            ValidationErrorKind.PatternMismatch => $"{got} does not match the pattern {schema.Pattern}",
            ValidationErrorKind.StringTooShort =>
                schema.MinLength == 1 ? "must not be empty" : $"must be at least {schema.MinLength} characters long",
            ValidationErrorKind.StringTooLong => $"must be at most {schema.MaxLength} characters long",
            ValidationErrorKind.NumberTooSmall => schema.ExclusiveMinimum is { } exclusiveMin
                ? $"must be greater than {Number(exclusiveMin)}, got {got}"
                : $"must be {(schema.IsExclusiveMinimum ? "greater than" : "at least")} {Number(schema.Minimum)}, got {got}",
            ValidationErrorKind.NumberTooBig => schema.ExclusiveMaximum is { } exclusiveMax
                ? $"must be less than {Number(exclusiveMax)}, got {got}"
                : $"must be {(schema.IsExclusiveMaximum ? "less than" : "at most")} {Number(schema.Maximum)}, got {got}",
            ValidationErrorKind.NumberNotMultipleOf => $"must be a multiple of {Number(schema.MultipleOf)}, got {got}",
            ValidationErrorKind.UuidExpected or ValidationErrorKind.GuidExpected =>
                $"must be a UUID like 0b9e6c2e-4b1d-4c55-9d7e-2f1c3a5b7d90, got {got}",
            ValidationErrorKind.DateTimeExpected =>
                $"must be a date and time with an offset (RFC 3339) like 2026-03-03T16:20:00+00:00, got {got}",
            ValidationErrorKind.DateExpected => $"must be a date like 2026-03-03, got {got}",
            ValidationErrorKind.EmailExpected => $"must be an email address, got {got}",
            ValidationErrorKind.NotAnyOf => "does not match any of the allowed combinations of fields",
            ValidationErrorKind.NotOneOf => "does not match exactly one of the allowed combinations of fields",
            ValidationErrorKind.TooFewItems => $"must have at least {schema.MinItems} items",
            ValidationErrorKind.TooManyItems => $"must have at most {schema.MaxItems} items",
            _ => $"is invalid ({error.Kind})",
        };
    }

    static string? CustomMessage(ValidationError error)
    {
        var keyword = error.Kind switch
        {
            ValidationErrorKind.PatternMismatch => "pattern",
            ValidationErrorKind.NumberNotMultipleOf => "multipleOf",
            ValidationErrorKind.NotAnyOf => "anyOf",
            ValidationErrorKind.NotOneOf => "oneOf",
            ValidationErrorKind.NotInEnumeration => "enum",
            ValidationErrorKind.StringTooShort => "minLength",
            ValidationErrorKind.NumberTooSmall => "minimum",
            ValidationErrorKind.NumberTooBig => "maximum",
            _ => null,
        };

        if (keyword is null || error.Schema.ExtensionData?.TryGetValue("errorMessage", out var messages) != true)
        {
            return null;
        }

        // NJsonSchema keeps an unknown keyword's object as a dictionary (a JObject in older versions).
        return messages switch
        {
            IDictionary<string, object?> byKeyword => byKeyword.TryGetValue(keyword, out var message) ? message as string : null,
            JObject byKeyword => byKeyword.TryGetValue(keyword, out var message) && message.Type == JTokenType.String
                ? message.Value<string>()
                : null,
            _ => null,
        };
    }

    static bool HasType(JToken? token, JsonObjectType type) => token?.Type switch
    {
        JTokenType.String => type == JsonObjectType.String,
        JTokenType.Integer => type is JsonObjectType.Integer or JsonObjectType.Number,
        JTokenType.Float => type == JsonObjectType.Number,
        JTokenType.Boolean => type == JsonObjectType.Boolean,
        JTokenType.Object => type == JsonObjectType.Object,
        JTokenType.Array => type == JsonObjectType.Array,
        null or JTokenType.Null => type == JsonObjectType.Null,
        _ => false,
    };

    static string TypeNames(IEnumerable<JsonObjectType> types) =>
        string.Join(" or ", types.OrderBy(t => t == JsonObjectType.Null).Select(t => t switch
        {
            JsonObjectType.String => "a string",
            JsonObjectType.Number => "a number",
            JsonObjectType.Integer => "a whole number",
            JsonObjectType.Boolean => "true or false",
            JsonObjectType.Object => "a JSON object",
            JsonObjectType.Array => "an array",
            JsonObjectType.Null => "null",
            _ => t.ToString().ToLowerInvariant(),
        }));

    static string Got(JToken? token)
    {
        switch (token?.Type)
        {
            case null or JTokenType.Null:
                return "null";
            case JTokenType.Object:
                return "an object";
            case JTokenType.Array:
                return "an array";
            case JTokenType.Property:
                return "a field";
            default:
                var literal = token.ToString(Formatting.None);
                return literal.Length <= 80 ? literal : string.Concat(literal.AsSpan(0, 77), "…");
        }
    }

    static string Number(decimal? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "?";
}
