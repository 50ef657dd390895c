import PaxosLogCLI

/// The executable only hands the command line to the library, where every command lives.
@main
enum PaxosLogMain {
    static func main() async {
        PaxosLog.prepareProcess(arguments: CommandLine.arguments)
        await PaxosLog.main()
    }
}
