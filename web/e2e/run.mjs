// End-to-end proof in a real browser: serves web/dist on two 127.0.0.1
// ports, one the services allow (WEB_PORT) and one they do not
// (OTHER_PORT), and drives Chromium through the page: register, log in,
// add a job site and a posting, list them, log out and replay the old token;
// then the same page from the other origin, whose calls CORS must refuse.
//
// The services are started by scripts/browser-e2e.sh, which sets AUTH_URL,
// JOBS_URL, WEB_PORT and OTHER_PORT (and CHROMIUM, default /usr/bin/chromium).

import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => process.env[name] ?? assert.fail(`${name} is not set`);
const [authUrl, jobsUrl] = [env("AUTH_URL"), env("JOBS_URL")];
const [webPort, otherPort] = [Number(env("WEB_PORT")), Number(env("OTHER_PORT"))];
const dist = new URL("../dist/", import.meta.url).pathname;
const started = Date.now();
const log = (text) => console.log(`[+${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);

/** A static server for dist/ (GET only, no directory escapes). */
function serve(port) {
  const types = { ".html": "text/html", ".js": "text/javascript", ".map": "application/json" };
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = await readFile(join(dist, path));
      res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/** Polls grpc.health.v1 over grpc-web (from Node: no CORS) until SERVING. */
async function waitServing(baseUrl, service) {
  const name = Buffer.from(service);
  const request = Buffer.concat([Buffer.from([0, 0, 0, 0, name.length + 2, 0x0a, name.length]), name]);
  for (let i = 0; i < 300; i++) {
    const response = await fetch(`${baseUrl}/grpc.health.v1.Health/Check`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: request,
    }).catch(() => null);
    const body = response && Buffer.from(await response.arrayBuffer());
    // HealthCheckResponse { status: SERVING } is the message 08 01.
    if (body?.subarray(5, 7).equals(Buffer.from([0x08, 0x01]))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${service} at ${baseUrl} never became SERVING`);
}

/** Runs `action` and waits for the page to report its outcome in #status. */
async function step(page, action) {
  const seq = await page.getAttribute("#status", "data-seq");
  await action();
  await page.waitForFunction((s) => document.querySelector("#status").dataset.seq !== s, seq);
  return {
    state: await page.getAttribute("#status", "data-state"),
    text: await page.textContent("#status"),
  };
}

async function expectOk(page, what, action) {
  const outcome = await step(page, action);
  assert.equal(outcome.state, "ok", `${what}: ${outcome.text}`);
  log(`ok   ${what}: ${outcome.text}`);
}

async function submit(page, form, fields) {
  for (const [name, value] of Object.entries(fields)) {
    const field = page.locator(`#${form} [name=${name}]`);
    await ((await field.evaluate((e) => e.tagName)) === "SELECT" ? field.selectOption(value) : field.fill(value));
  }
  await page.click(`#${form} button`);
}

const query = `?auth=${encodeURIComponent(authUrl)}&jobs=${encodeURIComponent(jobsUrl)}`;
const servers = [await serve(webPort), await serve(otherPort)];
const profile = await mkdtemp(join(tmpdir(), "jobsearch-chromium-"));
let browser;
try {
  await waitServing(authUrl, "jobsearch.auth.v1.AuthService");
  await waitServing(jobsUrl, "jobsearch.jobs.v1.JobsService");
  await waitServing(jobsUrl, "jobsearch.jobs.v1.RevocationFeed");
  log("both services are SERVING");

  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
  log(`Chromium ${browser.browser()?.version() ?? ""} (profile ${profile})`);
  const consoleLines = [];
  const page = await browser.newPage();
  page.on("console", (m) => consoleLines.push(m.text()));
  await page.goto(`http://127.0.0.1:${webPort}/${query}`);

  const user = { username: "ada", email: "ada@example.com", password: "Analytical-Engine-1843" };
  await expectOk(page, "register", () => submit(page, "register", user));
  await expectOk(page, "log in", () => submit(page, "login", { username: user.email, password: user.password }));
  assert.equal(await page.textContent("#who"), "ada");
  await expectOk(page, "add a job site", () =>
    submit(page, "site", { name: "LinkedIn", url: "https://www.linkedin.com/jobs" }));
  await expectOk(page, "add a posting", () =>
    submit(page, "posting", { site: "LinkedIn", company: "Acme", title: "Rust Engineer" }));
  await expectOk(page, "list", () => page.click("#refresh"));
  assert.deepEqual(await page.locator("#sites li").allTextContents(), ["LinkedIn — https://www.linkedin.com/jobs"]);
  assert.deepEqual(await page.locator("#postings li").allTextContents(), ["Acme — Rust Engineer (open) on LinkedIn"]);
  log("ok   the page lists the site and the posting");

  const oldToken = await page.inputValue("#token");
  await expectOk(page, "log out", () => page.click("#logout"));
  assert.equal(await page.textContent("#who"), "nobody");
  await page.fill("#token", oldToken);
  const me = await step(page, () => page.click("#me"));
  assert.equal(me.state, "error", me.text);
  assert.match(me.text, /\[unauthenticated\]/);
  log(`ok   the old token at the auth-service: ${me.text}`);
  // The jobs-service learns of the logout through the revocation feed.
  let list;
  for (let i = 0; i < 50 && list?.state !== "error"; i++) {
    list = await step(page, () => page.click("#refresh"));
    if (list.state !== "error") await page.waitForTimeout(100);
  }
  assert.match(list.text, /\[unauthenticated\]/);
  log(`ok   the old token at the jobs-service: ${list.text}`);

  // The same page from an origin the services do not allow.
  const other = await browser.newPage();
  const otherConsole = [];
  other.on("console", (m) => otherConsole.push(m.text()));
  await other.goto(`http://127.0.0.1:${otherPort}/${query}`);
  const refused = await step(other, () => submit(other, "login", { username: "ada", password: user.password }));
  assert.equal(refused.state, "error", refused.text);
  assert.match(refused.text, /Failed to fetch/);
  const blocked = otherConsole.find((line) => /blocked by CORS policy/.test(line));
  assert.ok(blocked, `no CORS message in the console: ${otherConsole.join("\n")}`);
  log(`ok   origin http://127.0.0.1:${otherPort} refused: ${refused.text}`);
  log(`     console: ${blocked}`);
  assert.ok(!consoleLines.some((line) => /CORS/.test(line)), consoleLines.join("\n"));
  console.log("browser e2e passed");
} finally {
  await browser?.close();
  servers.forEach((s) => s.close());
  await rm(profile, { recursive: true, force: true });
}
