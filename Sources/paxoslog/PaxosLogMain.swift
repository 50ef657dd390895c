import PaxosLogCLI

/// The executable only hands the command line to the library, where every command lives.
@main
enum PaxosLogMain {
    static func main() async {
        await PaxosLog.main()
    }
}
