import CLOTCommands

ClotCommand.main()
