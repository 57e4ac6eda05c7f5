from wicked_data.server.app import main

main()
