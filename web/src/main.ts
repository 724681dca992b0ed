// The page's logic: generated clients (src/gen, from ../proto) over grpc-web,
// one handler per form. Every action ends by writing #status (its text, a
// data-state of ok/error, and an incremented data-seq), which is what the
// end-to-end test waits on.

import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Client, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { AuthService } from "./gen/jobsearch/auth/v1/auth_pb";
import { JobsService, PostingStatus } from "./gen/jobsearch/jobs/v1/jobs_pb";

const params = new URLSearchParams(location.search);
const auth: Client<typeof AuthService> = createClient(
  AuthService,
  createGrpcWebTransport({ baseUrl: params.get("auth") ?? "http://127.0.0.1:50051" }),
);
const jobs: Client<typeof JobsService> = createClient(
  JobsService,
  createGrpcWebTransport({ baseUrl: params.get("jobs") ?? "http://127.0.0.1:50052" }),
);

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = byId<HTMLParagraphElement>("status");
const token = byId<HTMLInputElement>("token");
const who = byId<HTMLElement>("who");
// Kept in memory only: it is the credential that ends the session.
let refreshToken = "";

/** The access token in #token (editable, so an old one can be replayed). */
const bearer = () => ({ headers: { authorization: `Bearer ${token.value}` } });

/** Runs one action and reports its outcome (or its gRPC error) in #status. */
async function act(what: string, action: () => Promise<string>): Promise<void> {
  let text: string;
  let state: "ok" | "error";
  try {
    [text, state] = [await action(), "ok"];
  } catch (e) {
    // A CORS refusal surfaces as a failed fetch: code unknown, no status.
    [text, state] = [`${what} failed: ${ConnectError.from(e).message}`, "error"];
  }
  status.textContent = text;
  status.dataset.state = state;
  status.dataset.seq = String(Number(status.dataset.seq) + 1);
}

/** Calls `handler` with a form's fields when it is submitted. */
function onSubmit(id: string, handler: (f: Record<string, string>) => Promise<void>) {
  const form = byId<HTMLFormElement>(id);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form)) as Record<string, string>;
    void handler(fields);
  });
}

function fill(list: string, items: string[]) {
  byId(list).replaceChildren(
    ...items.map((text) => Object.assign(document.createElement("li"), { textContent: text })),
  );
}

async function refreshLists(): Promise<string> {
  const [{ jobSites }, { jobPostings }] = await Promise.all([
    jobs.listJobSites({}, bearer()),
    jobs.listJobPostings({}, bearer()),
  ]);
  const names = new Map(jobSites.map((s) => [s.id, s.siteName]));
  fill("sites", jobSites.map((s) => `${s.siteName} — ${s.siteUrl || "no URL"}`));
  fill(
    "postings",
    jobPostings.map(
      (p) =>
        `${p.companyName} — ${p.postingTitle} (${PostingStatus[p.postingStatus].toLowerCase()}) on ${names.get(p.jobSiteId)}`,
    ),
  );
  byId("posting-site").replaceChildren(
    ...jobSites.map((s) => new Option(s.siteName, s.id)),
  );
  return `${jobSites.length} job site(s), ${jobPostings.length} posting(s)`;
}

onSubmit("register", (f) =>
  act("Register", async () => {
    const { user } = await auth.register({ username: f.username, email: f.email, password: f.password });
    return `Registered ${user?.username}.`;
  }),
);

onSubmit("login", (f) =>
  act("Log in", async () => {
    const login = await auth.login({ username: f.username, password: f.password });
    token.value = login.accessToken;
    refreshToken = login.refreshToken;
    who.textContent = login.user?.username ?? "?";
    return `Logged in as ${who.textContent}.`;
  }),
);

byId("me").addEventListener("click", () =>
  act("Who am I", async () => `You are ${(await auth.getMe({}, bearer())).user?.username}.`),
);

byId("logout").addEventListener("click", () =>
  act("Log out", async () => {
    await auth.logout({ refreshToken });
    [token.value, refreshToken, who.textContent] = ["", "", "nobody"];
    fill("sites", []);
    fill("postings", []);
    return "Logged out.";
  }),
);

onSubmit("site", (f) =>
  act("Add job site", async () => {
    const site = await jobs.createJobSite({ jobSite: { siteName: f.name, siteUrl: f.url } }, bearer());
    await refreshLists();
    return `Added job site ${site.siteName}.`;
  }),
);

onSubmit("posting", (f) =>
  act("Add posting", async () => {
    const posting = await jobs.createJobPosting(
      {
        jobPosting: {
          jobSiteId: f.site,
          companyName: f.company,
          postingTitle: f.title,
          appliedAt: timestampFromDate(new Date()),
        },
      },
      bearer(),
    );
    await refreshLists();
    return `Added posting ${posting.companyName} — ${posting.postingTitle}.`;
  }),
);

byId("refresh").addEventListener("click", () => act("Refresh", refreshLists));
