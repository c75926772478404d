import DriverKit

DriverMain.run(Greeter.self)
