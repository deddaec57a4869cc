using MarketPulse.Tools.Cli;

return await ToolsCommandLine.RunAsync(args);
