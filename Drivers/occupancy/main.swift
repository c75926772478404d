import DriverKit

DriverMain.run(OccupancySensor.self)
