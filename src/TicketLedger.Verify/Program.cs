using TicketLedger.Verify;

// ticketledger-verify: what an auditor runs on their own machine, trusting nothing but the log's public key.
// Exit code 0: everything checked holds; 1: something does not (each failure printed); 2: the command was not understood.
try
{
    return Cli.Run(args, Console.Out);
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(Cli.Usage);
    return 2;
}
