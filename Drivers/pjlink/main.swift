import DriverKit

DriverMain.run(PJLinkProjector.self)
