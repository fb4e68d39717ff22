using System.Text;
using Crnn.MLNet.Cli;

// Labels may be any script (Kannada digits, Tifinagh letters): always write UTF-8, whatever the console's locale says
// (a C or POSIX locale would otherwise turn them into '?'). No byte-order mark: output is often piped into tools.
Console.OutputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
return CrnnCli.Run(args);
