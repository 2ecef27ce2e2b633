using Microsoft.AspNetCore.Http.HttpResults;

namespace Ates.Analytics.Reports;

public static class ReportProblems
{
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "The query is not valid");
}
