import DriverKit

DriverMain.run(ModbusHVAC.self)
