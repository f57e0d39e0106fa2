// Drives Gatehouse through Wix's published Account Invites SDK, unchanged: the same
// createClient call a Wix user writes, pointed at Gatehouse by apiBaseUrl. Prints one JSON
// object with what the SDK returned (or threw) for each scenario; the C++ test judges it.
// Env: GATEHOUSE_HOST (127.0.0.1:PORT), GATEHOUSE_KEY, GATEHOUSE_ACCOUNT, NODE_EXTRA_CA_CERTS.
import { createClient, ApiKeyStrategy } from "@wix/sdk";
import * as accountInvite from "@wix/identity_account-invite";

const host = process.env.GATEHOUSE_HOST;
const accountId = process.env.GATEHOUSE_ACCOUNT;

function client(apiKey) {
  return createClient({
    auth: ApiKeyStrategy({ apiKey, accountId }),
    modules: { accountInvite },
    host: { apiBaseUrl: host },
  });
}

async function attempt(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return {
      ok: false,
      name: e?.name ?? null,
      message: String(e?.message ?? e),
      status: e?.response?.status ?? e?.details?.applicationError?.code ?? null,
      details: e?.details ?? null,
      raw: e?.response?.data ?? null,
    };
  }
}

const good = client(process.env.GATEHOUSE_KEY);
const out = {};
out.accountWide = await attempt(() =>
  good.accountInvite.createInvite([{ subjectEmail: "wide@acme.test", assignments: [{ policyId: "website-manager" }] }]));
out.siteScoped = await attempt(() =>
  good.accountInvite.createInvite([
    {
      subjectEmail: "site@acme.test",
      assignments: [
        {
          policyId: "website-designer",
          assignments: [{ fullNameResource: { siteContext: { metasiteId: "s1" } } }],
        },
      ],
    },
  ]));
out.partial = await attempt(() =>
  good.accountInvite.createInvite([
    { subjectEmail: "ok@acme.test", assignments: [{ policyId: "website-designer" }] },
    { subjectEmail: "not an email", assignments: [{ policyId: "website-designer" }] },
    { subjectEmail: "role@acme.test", assignments: [{ policyId: "no-such-role" }] },
  ]));
out.tooMany = await attempt(() => good.accountInvite.createInvite([]));
out.badKey = await attempt(() =>
  client("gha_not-a-real-key").accountInvite.createInvite([
    { subjectEmail: "x@acme.test", assignments: [{ policyId: "website-designer" }] },
  ]));
console.log(JSON.stringify(out));
