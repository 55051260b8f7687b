from voipbin.cli.main import main

main()
