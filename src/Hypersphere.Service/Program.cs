using Hypersphere.Service.Embeddings;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Health;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.OpenApi;
using Hypersphere.Service.Quality;
using Hypersphere.Service.Security;
using Hypersphere.Service.Serving;

// The service's table of contents (DESIGN §3): what it is made of, then what it answers.
var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultUrl();
builder.Services.AddHypersphereOptions(builder.Configuration);
builder.Services.AddServiceJson();
builder.Services.AddProblemResponses();
builder.Services.AddServiceMetrics();
builder.Services.AddModelServing();
builder.Services.AddApiDocumentation();

var app = builder.Build();
app.UseServiceMetrics();
app.UseProblemResponses();
app.UseBearerKeys();
app.UseRequestBodyGate();

app.MapHealth();
app.MapServiceMetrics();
var v1 = app.MapGroup("/v1").RequireBearerKey(KeyScope.Api);
v1.MapModels();
v1.MapEmbeddings();
v1.MapQuality();
app.MapGroup("/admin").RequireBearerKey(KeyScope.Admin).MapAdmin();
app.MapApiDocumentation();

return app.RunOrExplain();

/// <summary>The entry point, public so tests can host the app (WebApplicationFactory&lt;Program&gt;).</summary>
public partial class Program;
