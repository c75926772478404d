import DriverKit

DriverMain.run(LutronLighting.self)
