using Crnn.MLNet.Cli;

return CrnnCli.Run(args);
