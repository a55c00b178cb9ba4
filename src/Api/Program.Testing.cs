// Top-level statements compile into a Program class in the global namespace; making it public lets
// WebApplicationFactory<Program> in the integration tests start the real host.
#pragma warning disable CA1050, IDE0130
public partial class Program;
