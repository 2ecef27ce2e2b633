namespace Ates.Messaging; internal static class Placeholder {}
