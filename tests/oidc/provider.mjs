// A real OpenID Connect provider (npm oidc-provider) on 127.0.0.1 for the single sign-on end-to-end test.
// Usage: node provider.mjs PORT REDIRECT_URI. Its own login page (dev interactions) accepts any password; the
// account's e-mail is <login>@example.test and its groups come from GROUPS. Nothing leaves the machine.
import Provider from "oidc-provider";

const [port, redirectUri] = [Number(process.argv[2]), process.argv[3]];
const GROUPS = { lead: ["cse-admins"], member: ["board"], stranger: [] };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: "cseboard-test",
    client_secret: "cseboard-test-secret",
    redirect_uris: [redirectUri],
    response_types: ["code"],
    grant_types: ["authorization_code"],
  }],
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: `${id}@example.test`, email_verified: true, groups: GROUPS[id] ?? [] };
      },
    };
  },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["groups"] },
  conformIdTokenClaims: false, // the claims go in the ID token, which is what st.login reads
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["cseboard-test-cookie-key"] },
});
provider.proxy = false;
provider.listen(port, "127.0.0.1", () => console.log(`oidc provider listening on ${port}`));
