using MarketPulse.Cli;

return await CommandLine.RunAsync(args);
