// A loopback OpenID Connect provider for the single sign-on tests (npm oidc-provider), standing in
// for a university's identity provider. Its own sign-in page takes any of the accounts below (any
// password); the platform is a first-party client, so no consent is asked. It prints
// "listening <port>" and exits when its standard input closes (the test process died) or after the
// time limit.
import Provider from "oidc-provider";

const [port, redirectUri, clientSecret, limitSeconds = "300"] = process.argv.slice(2);

// What the university knows of each person; "verified alumnus" is its own claim.
const accounts = {
  alum: { email: "li.wei@alumni.chenghu.example", email_verified: true, name: "Li Wei", alumni_verified: true, student_number: "8001" },
  guest: { email: "guest@partner.example", email_verified: true, name: "Guest Speaker", alumni_verified: false },
  linked: { email: "existing@test.example", email_verified: true, name: "Existing Member" },
  unconfirmed: { email: "someone-else@test.example", email_verified: false, name: "Not Proven" },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: "alumni-live",
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  }],
  scopes: ["openid", "email", "profile", "alumni"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    alumni: ["alumni_verified", "student_number"],
  },
  cookies: { keys: ["oidc-test-cookie-key"] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // A first-party client: the scopes it asks for are granted without a consent page.
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) return ctx.oidc.provider.Grant.find(existing);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope("openid email profile alumni");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const server = provider.listen(Number(port), "127.0.0.1", () => console.log(`listening ${port}`));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
setTimeout(() => { server.close(); process.exit(0); }, Number(limitSeconds) * 1000).unref();
