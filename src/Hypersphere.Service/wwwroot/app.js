// The page at /: the served models and their plane, and an audit of one's own embeddings.
// Plain JavaScript, no framework, nothing fetched from another origin. Every string that comes from a user or a
// model card is put on the page with textContent, never as HTML. The report is the service's own HTML (POST
// /v1/quality with Accept: text/html), shown in a sandboxed frame that runs no script.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  let apiKey = "";

  // ---- requests ---------------------------------------------------------------------------------------------
  function headers(accept) {
    const h = { Accept: accept };
    if (apiKey) {
      h.Authorization = "Bearer " + apiKey;
    }
    return h;
  }

  // A problem document (application/problem+json) in words: "401 Unauthorized: <detail>".
  async function problemText(response) {
    let title = response.statusText || "error";
    let detail = "";
    try {
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("json")) {
        const problem = await response.json();
        title = problem.title || title;
        detail = problem.detail || (problem.error && problem.error.message) || "";
      } else {
        detail = (await response.text()).slice(0, 500);
      }
    } catch (e) {
      detail = "the answer could not be read (" + e.message + ")";
    }
    return response.status + " " + title + (detail ? ": " + detail : "");
  }

  class ProblemError extends Error {}

  async function call(path, init, accept) {
    let response;
    try {
      response = await fetch(path, { ...init, headers: { ...headers(accept), ...(init && init.headers) }, cache: "no-store" });
    } catch (e) {
      throw new ProblemError("the service could not be reached: " + e.message);
    }
    if (!response.ok) {
      throw new ProblemError(await problemText(response));
    }
    return response;
  }

  // ---- helpers ----------------------------------------------------------------------------------------------
  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) {
      td.className = className;
    }
    row.appendChild(td);
  }

  const number = (value, digits) => (typeof value === "number" && isFinite(value) ? value.toFixed(digits) : "—");
  const percent = (value) => (typeof value === "number" && isFinite(value) ? (100 * value).toFixed(2) + " %" : "—");

  function setStatus(element, text, isError) {
    element.textContent = text;
    element.classList.toggle("error", Boolean(isError));
  }

  // An SVG from the service, parsed as XML (never as HTML) and stripped of anything active before it is shown.
  function safeSvg(text) {
    const parsed = new DOMParser().parseFromString(text, "image/svg+xml");
    const root = parsed.documentElement;
    if (parsed.getElementsByTagName("parsererror").length > 0 || root.localName !== "svg") {
      throw new ProblemError("the plane is not a readable SVG document");
    }
    for (const element of Array.from(root.querySelectorAll("script, foreignObject, iframe, object, embed"))) {
      element.remove();
    }
    for (const element of [root, ...root.querySelectorAll("*")]) {
      for (const attribute of Array.from(element.attributes)) {
        const name = attribute.name.toLowerCase();
        const value = attribute.value.trim().toLowerCase();
        if (name.startsWith("on") || ((name === "href" || name.endsWith(":href")) && !value.startsWith("#") && !value.startsWith("data:image/"))) {
          element.removeAttribute(attribute.name);
        }
      }
    }
    return document.importNode(root, true);
  }

  // ---- served models ----------------------------------------------------------------------------------------
  async function loadModels() {
    const status = $("models-status");
    const body = $("models-body");
    const select = $("image-model");
    setStatus(status, "loading the served models…");
    body.replaceChildren();
    select.replaceChildren();
    $("plane").replaceChildren();
    let list;
    try {
      list = await (await call("v1/models", { method: "GET" }, "application/json")).json();
    } catch (e) {
      setStatus(status, e.message, true);
      return;
    }

    for (const model of list.data) {
      for (const version of model.versions) {
        const row = document.createElement("tr");
        const card = version.card || {};
        const evaluation = card.evaluation || {};
        cell(row, version.id);
        cell(row, version.status + (version.error ? " (" + version.error + ")" : ""));
        cell(row, version.embedding_dim == null ? "—" : String(version.embedding_dim), "num");
        cell(row, card.training ? card.training.loss : "—");
        cell(row, number(evaluation.alignment, 4), "num");
        cell(row, number(evaluation.uniformity, 4), "num");
        cell(row, percent(evaluation.linear_output), "num");
        cell(row, percent(evaluation.knn5_output), "num");
        cell(row, percent(evaluation.linear_fc7), "num");
        cell(row, version.execution_provider ? version.execution_provider.name : "—");
        body.appendChild(row);

        const option = document.createElement("option");
        option.value = version.id;
        option.textContent = version.id + (version.id === list.default_model ? " (default)" : "");
        option.selected = version.id === list.default_model;
        select.appendChild(option);
      }
    }
    setStatus(status, list.data.length === 0 ? "no model is served" : list.data.length + " model(s); default " + (list.default_model || "none"));

    try {
      const svg = await (await call("v1/models/plane", { method: "GET" }, "image/svg+xml")).text();
      $("plane").replaceChildren(safeSvg(svg));
    } catch (e) {
      const p = document.createElement("p");
      p.className = "status error";
      p.textContent = e.message;
      $("plane").replaceChildren(p);
    }
  }

  // ---- live quality -----------------------------------------------------------------------------------------
  // Each loaded version's last live report (GET v1/models/{id}/quality); 409 means its window is still collecting.
  // Loaded on request only: a version that has served nothing answers 409, which the browser logs as a failed load.
  async function loadLive() {
    const status = $("live-status");
    const body = $("live-body");
    setStatus(status, "loading the live numbers…");
    let list;
    try {
      list = await (await call("v1/models", { method: "GET" }, "application/json")).json();
    } catch (e) {
      setStatus(status, e.message, true);
      return;
    }

    const rows = [];
    for (const model of list.data) {
      for (const version of model.versions.filter((v) => v.status === "loaded")) {
        const row = document.createElement("tr");
        row.dataset.model = version.id;
        cell(row, version.id);
        let response;
        try {
          response = await fetch("v1/models/" + encodeURIComponent(version.id) + "/quality", { headers: headers("application/json"), cache: "no-store" });
        } catch (e) {
          setStatus(status, "the service could not be reached: " + e.message, true);
          return;
        }
        if (response.status === 409) {
          const td = document.createElement("td");
          td.colSpan = 8;
          td.className = "collecting";
          td.textContent = "collecting: " + (await problemText(response));
          row.appendChild(td);
        } else if (!response.ok) {
          setStatus(status, await problemText(response), true);
          return;
        } else {
          const live = await response.json();
          const report = live.report;
          cell(row, live.window_size + " / " + live.window_capacity, "num");
          cell(row, number(report.uniformity, 4), "num");
          cell(row, number(live.uniformity_drift, 4), "num");
          cell(row, number(report.mean_cosine, 4), "num");
          cell(row, number(report.rank_me, 2), "num");
          cell(row, number(report.std_sqrt_d, 4), "num");
          cell(row, report.verdict.status);
          cell(row, new Date(live.computed_at).toLocaleTimeString());
        }
        rows.push(row);
      }
    }
    body.replaceChildren(...rows);
    setStatus(status, rows.length === 0 ? "no version is loaded" : "live numbers of " + rows.length + " loaded version(s)");
  }

  // ---- audit ------------------------------------------------------------------------------------------------
  function showProblem(text) {
    const box = $("audit-error");
    box.textContent = text;
    box.hidden = false;
  }

  async function showReport(response) {
    const html = await response.text();
    const frame = $("report");
    frame.hidden = false;
    frame.onload = () => {
      const document = frame.contentDocument;
      if (document && document.documentElement) {
        frame.style.height = document.documentElement.scrollHeight + 24 + "px";
      }
    };
    // srcdoc, not innerHTML: the report is its own document in a frame whose sandbox lets no script run.
    frame.srcdoc = html;
  }

  async function audit(button, send) {
    const status = $("audit-status");
    $("audit-error").hidden = true;
    $("audit-error").textContent = "";
    button.disabled = true;
    setStatus(status, "measuring…");
    const started = performance.now();
    try {
      const response = await send();
      await showReport(response);
      setStatus(status, "report ready in " + ((performance.now() - started) / 1000).toFixed(1) + " s");
    } catch (e) {
      setStatus(status, "");
      showProblem(e.message);
    } finally {
      button.disabled = false;
    }
  }

  function addSettings(target, prefix, asText) {
    for (const name of ["alpha", "t"]) {
      const value = $(prefix + "-" + name).value.trim();
      if (value !== "") {
        if (asText) {
          target.append(name, value);
        } else {
          target[name] = Number(value);
        }
      }
    }
  }

  function submitNpy(event) {
    event.preventDefault();
    const form = new FormData();
    const file = (id) => $(id).files[0];
    form.append("embeddings", file("npy-embeddings"), file("npy-embeddings").name);
    if (file("npy-positives")) {
      form.append("positives", file("npy-positives"), file("npy-positives").name);
    }
    if (file("npy-labels")) {
      form.append("labels", file("npy-labels"), file("npy-labels").name);
    }
    addSettings(form, "npy", true);
    if ($("npy-normalize").checked) {
      form.append("normalize", "true");
    }
    audit($("npy-submit"), () => call("v1/quality", { method: "POST", body: form }, "text/html"));
  }

  const dataUrl = (file) => new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(new ProblemError("could not read " + file.name));
    reader.readAsDataURL(file);
  });

  function labelLines(text) {
    const lines = text.split(/\r\n|\r|\n/).map((line) => line.trim());
    while (lines.length > 0 && lines[lines.length - 1] === "") {
      lines.pop();
    }
    return lines;
  }

  function submitImages(event) {
    event.preventDefault();
    audit($("image-submit"), async () => {
      const body = { input: await Promise.all(Array.from($("image-input").files, dataUrl)) };
      const model = $("image-model").value;
      if (model) {
        body.model = model;
      }
      const positives = Array.from($("image-positives").files);
      if (positives.length > 0) {
        body.positives = await Promise.all(positives.map(dataUrl));
      }
      const labels = $("image-labels").files[0];
      if (labels) {
        body.labels = labelLines(await labels.text());
      }
      addSettings(body, "image", false);
      return call("v1/quality", { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }, "text/html");
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      apiKey = $("api-key").value.trim();
      loadModels();
    });
    $("live-refresh").addEventListener("click", loadLive);
    $("npy-form").addEventListener("submit", submitNpy);
    $("image-form").addEventListener("submit", submitImages);
    loadModels();
  });
})();
