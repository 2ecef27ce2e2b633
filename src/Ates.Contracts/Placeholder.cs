namespace Ates.Contracts; internal static class Placeholder {}
