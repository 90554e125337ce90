// The staff playground's login form: calls the login mutation (the answer sets the session
// cookie) and reloads, which then serves GraphiQL. A file of its own: the page's
// Content-Security-Policy allows no inline script.
const form = document.getElementById("login");
const error = document.getElementById("error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = new FormData(form);
  error.textContent = "";
  try {
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query:
          "mutation($o: String!, $i: String!, $p: String!) " +
          "{ login(organization: $o, identifier: $i, password: $p) { accountKind } }",
        variables: {
          o: fields.get("organization"),
          i: fields.get("identifier"),
          p: fields.get("password"),
        },
      }),
    });
    const body = await response.json();
    if (body.errors) {
      error.textContent = body.errors[0].message;
    } else {
      window.location.reload();
    }
  } catch (failure) {
    error.textContent = `The server did not answer (${failure.message}).`;
  }
});
