// Starts GraphiQL (loaded before this file from this server, sportello/graphiql_assets.py)
// against /graphql. Requests go to the same origin, so the browser sends the staff session
// cookie and an Origin the server accepts. Headers typed in GraphiQL's header editor are
// sent too: {"X-View-As-Contact": "<portal access id>"} previews the portal as a contact.
const fetcher = GraphiQL.createFetcher({ url: "/graphql" });
const root = ReactDOM.createRoot(document.getElementById("graphiql"));
root.render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false,
  }),
);
