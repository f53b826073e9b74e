export { Enr, type EnrInit, enrConstants } from './enr.js'
