using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Ates.Auth.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxTypeIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_outbox_Type_Sequence",
                table: "outbox",
                columns: new[] { "Type", "Sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_outbox_Type_Sequence",
                table: "outbox");
        }
    }
}
