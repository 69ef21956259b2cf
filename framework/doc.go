// Package framework is a small, static application framework: an application
// lists its modules in main, every module declares what it offers in Setup
// (services, settings, routes, schema) and uses what others offer in Start.
//
// The two phases are enforced at run time as well as by modls's static
// rules: a service lookup during Setup and a registration during Start both
// fail with an error naming the module.
//
//	func main() {
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//		defer stop()
//		cfg, err := framework.LoadConfig("app.json")
//		...
//		err = framework.Run(ctx, cfg, audit.New(), analytics.New())
//	}
package framework
