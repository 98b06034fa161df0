// Imported SECOND (right after the egress guard) by every process entry that can run onnxruntime:
// loads onnxruntime-node's binding from the NVIDIA GPU pack when the pack is whole.
import { installOrtBindingRedirect } from './ort-binding-redirect'

installOrtBindingRedirect()
