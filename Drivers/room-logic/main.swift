import DriverKit

DriverMain.run(RoomLogic.self)
