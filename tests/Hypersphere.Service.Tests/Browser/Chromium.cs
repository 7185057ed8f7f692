using System.Collections.ObjectModel;
using System.Drawing;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace Hypersphere.Service.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Debian's chromedriver (packages <c>chromium</c> and <c>chromium-driver</c>, built from
/// the same source, so the driver always matches the browser; .ci/install installs both): headless (new mode),
/// without the sandbox (CI runs as root) and without /dev/shm (small in containers). The browser's console is read
/// through chromedriver's log (<c>goog:loggingPrefs</c> browser: ALL). Missing packages fail the tests that need
/// them, with the command that installs them: browser tests are never skipped.
/// </summary>
public sealed class Chromium : IDisposable
{
    public const string BrowserPath = "/usr/bin/chromium", DriverPath = "/usr/bin/chromedriver";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public Chromium()
    {
        var missing = new[] { BrowserPath, DriverPath }.Where(p => !File.Exists(p)).ToArray();
        if (missing.Length > 0)
        {
            throw new InvalidOperationException(
                $"the browser tests need Debian's Chromium and its driver, but {string.Join(" and ", missing)} {(missing.Length > 1 ? "are" : "is")} missing: " +
                "apt-get install -y chromium chromium-driver (.ci/install installs both)");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps");
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        Driver = new ChromeDriver(service, options, Timeout);
        Driver.Manage().Timeouts().PageLoad = Timeout;
    }

    public ChromeDriver Driver { get; }

    /// <summary>Where screenshots go: a stable folder under the test output.</summary>
    public static string ArtifactFolder { get; } = Path.Combine(AppContext.BaseDirectory, "browser-artifacts");

    /// <summary>Opens <paramref name="url"/> afresh, with the console log emptied first.</summary>
    public void Open(string url)
    {
        Driver.Navigate().GoToUrl("about:blank");
        _ = ConsoleEntries();
        Driver.Navigate().GoToUrl(url);
    }

    /// <summary>Console entries since the last call (chromedriver hands each entry out once).</summary>
    public IReadOnlyList<LogEntry> ConsoleEntries() => Driver.Manage().Logs.GetLog(LogType.Browser);

    /// <summary>The console's errors (SEVERE: uncaught exceptions, CSP violations, failed loads, console.error) since the last call.</summary>
    public IReadOnlyList<string> ConsoleErrors() =>
        ConsoleEntries().Where(e => e.Level == LogLevel.Severe).Select(e => e.Message).ToArray();

    /// <summary>Waits until <paramref name="condition"/> holds (60 s), failing with <paramref name="what"/>.</summary>
    public T Wait<T>(Func<IWebDriver, T> condition, string what)
    {
        var wait = new WebDriverWait(Driver, Timeout) { Message = "waited 60 s for " + what };
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));
        return wait.Until(condition);
    }

    /// <summary>The URL of every resource the page (and the frame it is in now) fetched.</summary>
    public IReadOnlyList<string> ResourceUrls() =>
        ((ReadOnlyCollection<object>)Driver.ExecuteScript("return performance.getEntriesByType('resource').map(e => e.name);")!).Cast<string>().ToArray();

    /// <summary>The number of elements of <paramref name="tag"/> in the current document.</summary>
    public long Count(string tag) => (long)Driver.ExecuteScript("return document.getElementsByTagName(arguments[0]).length;", tag)!;

    /// <summary>Saves a screenshot of the whole page as <paramref name="name"/>.png under <see cref="ArtifactFolder"/>; returns its path.</summary>
    public string Screenshot(string name)
    {
        Directory.CreateDirectory(ArtifactFolder);
        var height = Convert.ToInt32(Driver.ExecuteScript("return Math.ceil(document.documentElement.scrollHeight);"), System.Globalization.CultureInfo.InvariantCulture);
        var size = Driver.Manage().Window.Size;
        Driver.Manage().Window.Size = new Size(1280, Math.Clamp(height + 140, 800, 12_000));
        try
        {
            var path = Path.Combine(ArtifactFolder, name + ".png");
            Driver.GetScreenshot().SaveAsFile(path);
            return path;
        }
        finally
        {
            Driver.Manage().Window.Size = size;
        }
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
