using Hypersphere.Cli;

return HypersphereCommand.Create().Parse(args).Invoke();
