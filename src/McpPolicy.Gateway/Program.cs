using McpPolicy.Gateway;

Console.OutputEncoding = System.Text.Encoding.UTF8;
return await GatewayCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
