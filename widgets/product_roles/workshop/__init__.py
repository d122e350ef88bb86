"""Live workshops: the room's shared sort, its statistics and dashboard, paper cards,
agendas, and the hub's accounts, login and spawner."""
