namespace Ates.Analytics.Data;

/// <summary>A fact of one generation (<see cref="ReportState"/>): the reports read the live one.</summary>
public interface IFact
{
    long Generation { get; }
}
