using Hypersphere.Service.Api;
using Hypersphere.Service.Errors;
using Hypersphere.Service.Hosting;
using Hypersphere.Service.Metrics;
using Hypersphere.Service.Monitoring;
using Hypersphere.Service.OpenApi;
using Hypersphere.Service.Runtime.Models;
using Hypersphere.Service.Security;

// The service's table of contents (docs/architecture.md): what it is made of, then what it answers.
var builder = WebApplication.CreateBuilder(args);
builder.UseDefaultUrl();
builder.UseMetricsPort();
builder.Services.AddHypersphereOptions(builder.Configuration);
builder.Services.AddServiceJson();
builder.Services.AddProblemResponses();
builder.Services.AddServiceMetrics();
builder.Services.AddBearerKeys();
builder.Services.AddAdmission();
builder.Services.AddEmbeddingRuntime();
builder.Services.AddLiveQuality();
builder.Services.AddSingleton<Hypersphere.Service.Jobs.QualityJobStore>();
builder.Services.AddSingleton<Hypersphere.Service.Jobs.QualityJobRunner>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<Hypersphere.Service.Jobs.QualityJobRunner>());
builder.Services.AddApiDocumentation();

var app = builder.Build();
app.UseSecurityHeaders();
app.UseServiceMetrics();
app.UseProblemResponses();
app.UseMetricsPortGate();
app.UseUrlLimit();
app.UsePage();
app.UseAuthentication();
app.UseAuthorization();
app.UseAdmission();

app.MapHealth();
app.MapServiceMetrics();
var v1 = app.MapGroup("/v1").RequireBearerKey(KeyScope.Api);
v1.MapModels();
v1.MapEmbeddings();
v1.MapQuality();
v1.MapCompare();
v1.MapQualityJobs();
v1.MapLiveQuality();
app.MapGroup("/admin").RequireBearerKey(KeyScope.Admin).MapAdmin();
app.MapApiDocumentation();

return app.RunOrExplain();

/// <summary>The entry point, public so tests can host the app (WebApplicationFactory&lt;Program&gt;).</summary>
public partial class Program;
