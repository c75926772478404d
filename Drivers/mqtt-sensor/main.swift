import DriverKit

DriverMain.run(MQTTSensor.self)
