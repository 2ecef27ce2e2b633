namespace Ates.ServiceDefaults.Pages;

/// <summary>Which menu entry a page belongs to.</summary>
public enum Section { None, Tasks, Accounting, Analytics, Users, Ops }
