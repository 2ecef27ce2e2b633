using Ates.Testing;

// The way test projects are meant to use the servers: one per test assembly, shared by every test.
[assembly: AssemblyFixture(typeof(RabbitMqFixture))]
[assembly: AssemblyFixture(typeof(PostgresFixture))]
