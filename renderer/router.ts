// Routes: the project list and a project's tabs: texts, labelling, label review, agreement between
// annotators, training, runs (with each run's evaluation) and prediction. Hash history, so the app
// works from file:// in Electron as well as over the loopback bridge.
import { createRouter, createWebHashHistory } from 'vue-router'
import ProjectsView from './views/ProjectsView.vue'
import ProjectLayout from './views/ProjectLayout.vue'
import DatasetView from './views/DatasetView.vue'
import LabellingView from './views/LabellingView.vue'
import TrainView from './views/TrainView.vue'
import RunsView from './views/RunsView.vue'
import EvaluationView from './views/EvaluationView.vue'
import PredictView from './views/PredictView.vue'
import ReviewView from './views/ReviewView.vue'
import AgreementView from './views/AgreementView.vue'
import AuditView from './views/AuditView.vue'
import SettingsView from './views/SettingsView.vue'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', name: 'projects', component: ProjectsView },
    // The workspace's audit log (issue #15 point 4): every project's entries, not one project's.
    { path: '/audit', name: 'audit', component: AuditView },
    // This computer's settings: the NVIDIA GPU pack (issue #14 point 1).
    { path: '/settings', name: 'settings', component: SettingsView },
    {
      path: '/projects/:projectId',
      component: ProjectLayout,
      props: (route) => ({ projectId: Number(route.params.projectId) }),
      children: [
        { path: '', redirect: (to) => ({ name: 'texts', params: to.params }) },
        { path: 'texts', name: 'texts', component: DatasetView },
        { path: 'label', name: 'label', component: LabellingView },
        { path: 'review', name: 'review', component: ReviewView },
        { path: 'agreement', name: 'agreement', component: AgreementView },
        { path: 'train', name: 'train', component: TrainView },
        { path: 'runs', name: 'runs', component: RunsView },
        {
          path: 'runs/:runId',
          name: 'run',
          component: EvaluationView,
          props: (route) => ({ runId: Number(route.params.runId) }),
        },
        { path: 'predict', name: 'predict', component: PredictView },
      ],
    },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})
