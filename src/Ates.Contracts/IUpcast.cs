namespace Ates.Contracts;

/// <summary>
/// Implemented by an older version of an event to turn itself into the next version.
/// <see cref="EventRegistry.Read(string, int, string)"/> follows these steps until it reaches the newest version,
/// so consumers only ever handle the newest record.
/// </summary>
public interface IUpcast<out TNext> where TNext : class
{
    TNext Upcast();
}
