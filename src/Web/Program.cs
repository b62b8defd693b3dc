using Events.Web;

var app = EventsHost.Build(args);
app.Run();
